package io.hogwild.contracts.worker;

import java.util.List;
import java.util.Map;

/**
 * The part of a session plan that continues a run whose GPU worker went away: the session replays what was recorded
 * (every recorded token choice, through the same policy and engine, without emitting anything) and then goes on live.
 * Its events continue the original session's numbering: the first one it emits has seq {@code eventsRecorded + 1}.
 *
 * @param eventsRecorded how many of the original session's events the run's log holds (its last session seq); the
 *     resumed session emits none of these again
 * @param chosenTokens per worker, the tokens it chose so far in order (each TOKENS event's ids, EOS included)
 */
public record ResumeSpec(long eventsRecorded, Map<String, List<Integer>> chosenTokens) {}
