package io.hogwild.contracts.worker;

import java.util.List;

/**
 * Sampling of every worker of a session; worker i samples with seed {@code seed + i}.
 *
 * @param temperature 0 = greedy
 * @param topP nucleus mass in (0, 1]
 * @param topK 0 = no limit
 * @param seed base seed
 * @param bannedTokenIds never produced
 */
public record SamplingSpec(double temperature, double topP, int topK, long seed, List<Integer> bannedTokenIds) {}
