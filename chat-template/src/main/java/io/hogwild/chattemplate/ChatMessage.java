package io.hogwild.chattemplate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it: {@code message.role},
 * {@code message.content} and, for reasoning models such as Qwen3, the optional
 * {@code message.reasoning_content}.
 *
 * @param role             "system", "user", "assistant", "tool", ...
 * @param content          the text of the turn (may be null, as for assistant tool-call turns)
 * @param reasoningContent the separated thinking text, or null when there is none
 */
public record ChatMessage(String role, String content, String reasoningContent) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
    }

    public ChatMessage(String role, String content) {
        this(role, content, null);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * The dict the template receives. {@code reasoning_content} is left out when null, exactly as
     * a Python caller would omit the key, so that {@code is defined} checks behave the same.
     */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("role", role);
        map.put("content", content);
        if (reasoningContent != null) {
            map.put("reasoning_content", reasoningContent);
        }
        return map;
    }
}
