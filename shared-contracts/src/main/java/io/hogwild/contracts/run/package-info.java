/**
 * The run API between the gateway and the orchestrator: a run request, a run's status and per-worker progress, its
 * recorded events and the transcripts rebuilt from them. JSON is snake_case on the wire.
 */
package io.hogwild.contracts.run;
