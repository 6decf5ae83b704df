package io.hogwild.contracts.run;

/** One block of a worker's view and its length in tokens at a moment (from STEP_FINISHED {@code data.view}). */
public record BlockExtent(String block, int length) {}
