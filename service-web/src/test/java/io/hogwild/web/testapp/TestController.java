package io.hogwild.web.testapp;

import io.hogwild.web.ApiException;
import jakarta.validation.Valid;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One endpoint per way a request can fail. */
@RestController
class TestController {

    @PostMapping(path = "/things", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Thing> create(@Valid @RequestBody Thing thing) {
        return Mono.just(thing);
    }

    @PostMapping(path = "/strict-things", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<StrictThing> createStrict(@RequestBody StrictThing thing) {
        return Mono.just(thing);
    }

    @GetMapping(path = "/other-format/things/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Thing> getInOtherFormat(@PathVariable String id) {
        return Mono.error(ApiException.notFound("no thing " + id).atField("id"));
    }

    @GetMapping(path = "/things/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Thing> get(@PathVariable String id) {
        return Mono.error(ApiException.notFound("no thing " + id));
    }

    @DeleteMapping("/things/{id}")
    Mono<Void> delete(@PathVariable String id) {
        throw ApiException.conflict("thing " + id + " is in use").atField("id");
    }

    @GetMapping("/busy")
    Mono<String> busy(@RequestParam("retry_after_ms") long retryAfterMillis) {
        return Mono.error(ApiException.unavailable("test-busy", "Busy", "no room right now",
                Duration.ofMillis(retryAfterMillis)).with("queue_length", 3).header("X-Test", "yes"));
    }

    @GetMapping("/page")
    Mono<Integer> page(@RequestParam("page_size") int pageSize) {
        return Mono.just(pageSize);
    }

    @PostMapping(path = "/text", consumes = MediaType.TEXT_PLAIN_VALUE)
    Mono<Integer> text(@RequestBody String text) {
        return Mono.just(text.length());
    }

    @GetMapping("/boom")
    Mono<String> boom() {
        throw new IllegalStateException("the database password is hunter2");
    }

    @GetMapping("/wrapped")
    Mono<String> wrapped() {
        return Mono.error(new IllegalStateException("wrapper", ApiException.notFound("the inner problem")));
    }

    @GetMapping("/upstream-down")
    Mono<String> upstreamDown() {
        return Mono.error(new ApiException(HttpStatus.BAD_GATEWAY, "upstream-down",
                "Upstream down", "the upstream service is down", null, new IOException("Connection refused")));
    }

    @GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<String> stream() {
        return Flux.just("first").concatWith(Flux.error(new IllegalStateException("the stream broke")));
    }
}
