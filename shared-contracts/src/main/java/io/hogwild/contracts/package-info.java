/** API records shared by the Hogwild! services: requests, run status, events, transcripts, session plans. No logic. */
package io.hogwild.contracts;
