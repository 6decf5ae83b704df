/**
 * The collaboration policy: {@link io.hogwild.collaboration.policy.LockstepPolicy}, the one state machine of a
 * session's rules (step ends, promotions, self-checks, budgets, stops, the finisher's input), driven by the GPU
 * worker's lockstep loop and by the demo model's trace simulator; the text rules it applies
 * ({@link io.hogwild.collaboration.policy.StepText}) and the tokens it keeps out of the shared text
 * ({@link io.hogwild.collaboration.policy.TokenHygiene}). collaboration/README.md states the rules in full.
 */
package io.hogwild.collaboration.policy;
