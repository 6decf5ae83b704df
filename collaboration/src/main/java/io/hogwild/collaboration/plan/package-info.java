/**
 * Session plans: the cache blocks of a run and every worker's view per layout
 * ({@link io.hogwild.collaboration.plan.PlanBuilder}; the views are listed in collaboration/README.md).
 */
package io.hogwild.collaboration.plan;
