/**
 * What the workers read: a session's block contents as token ids and text
 * ({@link io.hogwild.collaboration.view.CacheLedger}), and a worker's exact view at the start of a lockstep pass
 * rebuilt from the session's events ({@link io.hogwild.collaboration.view.ViewRebuilder}).
 */
package io.hogwild.collaboration.view;
