package io.hogwild.contracts.run;

import java.util.List;

/**
 * One page of runs, newest first.
 *
 * @param items the runs on this page
 * @param page zero-based page number
 * @param size requested page size
 * @param total runs matching the filter
 */
public record RunPage(List<RunView> items, int page, int size, long total) {}
