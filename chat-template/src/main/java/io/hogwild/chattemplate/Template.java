package io.hogwild.chattemplate;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled Jinja template, rendered with the semantics of the environment transformers uses
 * for chat templates (see {@link TemplateEnvironment}). Compile once, render many times:
 * instances are immutable and safe to share between threads.
 */
public final class Template {

    private final List<Node> body;
    private final TemplateEnvironment env;

    private Template(List<Node> body, TemplateEnvironment env) {
        this.body = body;
        this.env = env;
    }

    /** Compiles {@code source} for the transformers chat-template environment. */
    public static Template compile(String source) {
        return compile(source, Clock.systemDefaultZone());
    }

    /** As {@link #compile(String)}, with the clock {@code strftime_now} reads. */
    public static Template compile(String source, Clock clock) {
        return compile(source, TemplateEnvironment.transformers(clock));
    }

    static Template compile(String source, TemplateEnvironment env) {
        Objects.requireNonNull(source, "source");
        List<Token> tokens = Lexer.tokenize(source, env.trimBlocks(), env.lstripBlocks());
        return new Template(Parser.parse(tokens, env::hasFilter, env::hasTest), env);
    }

    /**
     * Renders with the given variables (Java values, Jackson nodes or {@link ChatMessage}s).
     *
     * @throws TemplateException        on any template error, with the template line
     * @throws TemplateRaisedException  when the template calls {@code raise_exception}
     */
    public String render(Map<String, ?> variables) {
        Scope globals = new Scope(null);
        env.globals().forEach(globals::set);
        Scope scope = globals.child();
        variables.forEach((name, value) -> scope.set(name, TemplateValues.fromJava(value)));
        StringBuilder out = new StringBuilder();
        new Interpreter(env).render(body, scope, out);
        return out.toString();
    }
}
