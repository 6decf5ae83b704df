package io.hogwild.worker.served;

import io.hogwild.contracts.worker.ModelInfo;
import io.hogwild.web.ApiException;
import io.hogwild.worker.session.SessionService;
import java.util.Arrays;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** What the orchestrator asks about the model: its description, and token counts of prompts it builds. */
@RestController
public class ModelController {

    /** Longer texts are refused rather than tokenized on a request thread pool for seconds. */
    static final int MAX_TOKENIZE_CHARS = 4_000_000;

    private final ServedModel model;
    private final SessionService sessions;

    public ModelController(ServedModel model, SessionService sessions) {
        this.model = model;
        this.sessions = sessions;
    }

    /** The model, and what this worker can still take on now. */
    @GetMapping("/v1/model")
    public ModelInfo model() {
        return model.info().withCapacity(sessions.capacity());
    }

    /** Tokenizing is CPU work in native code: it runs off the event loop. */
    @PostMapping("/v1/tokenize")
    public Mono<TokenizeResponse> tokenize(@RequestBody TokenizeRequest request) {
        if (request.text() == null) {
            return Mono.error(ApiException.badRequest("text", "text is required"));
        }
        if (request.text().length() > MAX_TOKENIZE_CHARS) {
            return Mono.error(ApiException.badRequest("text",
                    "text is longer than " + MAX_TOKENIZE_CHARS + " characters"));
        }
        return Mono.fromCallable(() -> {
            int[] ids = model.tokenizer().encode(request.text());
            List<Integer> list = Arrays.stream(ids).boxed().toList();
            return new TokenizeResponse(list, list.size());
        }).subscribeOn(Schedulers.boundedElastic());
    }

    public record TokenizeRequest(String text) {}

    public record TokenizeResponse(List<Integer> ids, int count) {}
}
