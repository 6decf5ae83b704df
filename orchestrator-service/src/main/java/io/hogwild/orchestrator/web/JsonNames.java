package io.hogwild.orchestrator.web;

/** Java property names as they appear on the wire (snake_case), for problem documents that name a field. */
public final class JsonNames {

    private JsonNames() {
    }

    public static String snake(String javaName) {
        StringBuilder out = new StringBuilder(javaName.length() + 4);
        for (int i = 0; i < javaName.length(); i++) {
            char c = javaName.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
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
