package io.hogwild.engine.cli;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.hogwild.engine.HogwildSession;
import io.hogwild.engine.Transformer;
import io.hogwild.engine.attention.AttentionMode;
import io.hogwild.engine.cache.Write;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Replays one scenario of the golden {@code hogwild_scenarios} format through a real session. */
public final class ScenarioReplay {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScenarioReplay() {}

    /** Returns {@code {"name": ..., "ops": [{"logits": {worker: [[...]]}} | {} ...]}}. */
    public static ObjectNode replay(Transformer model, JsonNode scenario, AttentionMode mode) {
        String name = scenario.path("name").asString("unnamed");
        try (HogwildSession session = new HogwildSession(model, mode)) {
            List<String> blocks = new ArrayList<>();
            scenario.path("blocks").forEach(b -> blocks.add(b.asString()));
            if (blocks.isEmpty()) {
                throw new IllegalArgumentException("scenario '" + name + "': no 'blocks'");
            }
            session.createBlocks(blocks);
            JsonNode views = scenario.path("views");
            if (!views.isObject()) {
                throw new IllegalArgumentException("scenario '" + name + "': no 'views' object");
            }
            for (Map.Entry<String, JsonNode> e : views.properties()) {
                List<String> view = new ArrayList<>();
                e.getValue().forEach(b -> view.add(b.asString()));
                session.setView(e.getKey(), view);
            }
            ArrayNode ops = JSON.createArrayNode();
            int index = 0;
            for (JsonNode op : scenario.path("ops")) {
                String kind = op.path("op").asString();
                try {
                    if (kind.equals("promote")) {
                        session.promote(op.path("source").asString(), op.path("target").asString());
                        ops.add(JSON.createObjectNode());
                    } else if (kind.equals("write")) {
                        ops.add(write(session, op, model.config().vocabSize()));
                    } else {
                        throw new IllegalArgumentException("unknown op '" + kind + "'");
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("scenario '" + name + "', op " + index + ": " + e.getMessage());
                }
                index++;
            }
            ObjectNode out = JSON.createObjectNode();
            out.put("name", name);
            out.set("ops", ops);
            return out;
        }
    }

    private static ObjectNode write(HogwildSession session, JsonNode op, int vocab) {
        List<Write> writes = new ArrayList<>();
        for (JsonNode w : op.path("writes")) {
            JsonNode toks = w.path("tokens");
            int[] tokens = new int[toks.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = toks.get(i).asInt();
                if (tokens[i] < 0 || tokens[i] >= vocab) {
                    throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary");
                }
            }
            writes.add(new Write(w.path("worker").asString(), tokens));
        }
        Map<String, float[][]> logits = session.forward(writes, Transformer.Readout.ALL);
        ObjectNode byWorker = JSON.createObjectNode();
        logits.forEach((worker, rows) -> byWorker.set(worker, JSON.valueToTree(rows)));
        ObjectNode out = JSON.createObjectNode();
        out.set("logits", byWorker);
        return out;
    }
}
