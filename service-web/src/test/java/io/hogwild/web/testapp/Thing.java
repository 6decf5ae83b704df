package io.hogwild.web.testapp;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Instant;
import java.util.List;

/** A request body with what the services' bodies have: text, counts, an enum, nested lists, a date. */
public record Thing(@NotBlank String name, @Min(1) Integer count, Kind kind, @Valid List<Part> parts,
                    Instant seenAt) {

    public enum Kind { SMALL, LARGE }

    public record Part(@NotBlank String partName, Integer weightGrams) {}
}
