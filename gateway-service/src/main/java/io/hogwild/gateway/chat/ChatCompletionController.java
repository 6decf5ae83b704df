package io.hogwild.gateway.chat;

import io.hogwild.gateway.security.ApiPrincipal;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** OpenAI-compatible chat completions backed by a Hogwild! run (see {@link ChatCompletionService}). */
@RestController
@Tag(name = "chat", description = "OpenAI-compatible chat completions (errors in OpenAI's shape)")
public class ChatCompletionController {

    private final ChatCompletionService chat;

    public ChatCompletionController(ChatCompletionService chat) {
        this.chat = chat;
    }

    @PostMapping(path = "/v1/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    @Operation(summary = "Create a chat completion", description = "The last user message is the problem, system "
            + "messages its context; `max_tokens` is each worker's budget (default: what fits the model's context); "
            + "`hogwild: {workers, layout, ...}` sets up the run; `n` must be 1. `stream: true` answers "
            + "`chat.completion.chunk` events ending with `data: [DONE]` (with `stream_options.include_usage`, a usage "
            + "chunk before it).")
    public Mono<ResponseEntity<Object>> create(@Valid @RequestBody ChatCompletionRequest request,
                                               @Parameter(hidden = true) ApiPrincipal principal) {
        if (Boolean.TRUE.equals(request.stream())) {
            return chat.stream(request, principal).map(events -> ResponseEntity.ok()
                    .contentType(MediaType.TEXT_EVENT_STREAM)
                    .header("Cache-Control", "no-cache")
                    .header("X-Accel-Buffering", "no")
                    .body(events));
        }
        return chat.complete(request, principal).map(completion -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON)
                .body(completion));
    }
}
