package io.hogwild.web.testapp;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A request body that refuses fields it does not know; its nested {@link Thing} stays lenient. */
@JsonIgnoreProperties(ignoreUnknown = false)
public record StrictThing(String name, Integer count, Thing inner, Options options) {

    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Options(Integer maxSize) {}
}
