/**
 * Events: the one vocabulary ({@link io.hogwild.contracts.event.EventType}) and each event's typed payload
 * ({@link io.hogwild.contracts.event.EventData}), shared by the GPU worker's session events and the orchestrator's
 * run log.
 */
package io.hogwild.contracts.event;
