package io.hogwild.gateway.web;

/** Java property paths as they appear on the wire (snake_case), for problem documents that name a field. */
public final class JsonNames {

    private JsonNames() {
    }

    /** {@code hogwild.maxStepTokens} becomes {@code hogwild.max_step_tokens}; indexes ({@code [0]}) stay. */
    public static String snake(String javaPath) {
        StringBuilder out = new StringBuilder(javaPath.length() + 4);
        for (int i = 0; i < javaPath.length(); i++) {
            char c = javaPath.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0 && javaPath.charAt(i - 1) != '.') {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
