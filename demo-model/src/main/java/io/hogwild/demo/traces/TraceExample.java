package io.hogwild.demo.traces;

import io.hogwild.worker.engine.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's view at one moment of a simulated run, in the order of its cache blocks, ending with its own step.
 * Its tokens are what the engine would have in that worker's view; the loss learns the worker's own choices and
 * work, and the work (not the choices) of the other steps it sees.
 */
public record TraceExample(List<Piece> pieces) {

    /** Fixed text; finished steps (history); other workers' steps being written; the worker's own step. */
    public enum Role { FED, HISTORY, IN_PROGRESS, OWN }

    /**
     * @param late captured after the worker had chosen: its own choices are left out of the loss, since the view
     *     they were made from is not this one
     */
    public record Piece(WrittenText text, Role role, boolean late) {
        static Piece fed(String text) {
            return new Piece(new WrittenText(text), Role.FED, false);
        }

        static Piece history(WrittenText text) {
            return new Piece(text, Role.HISTORY, false);
        }

        static Piece inProgress(WrittenText text) {
            return new Piece(text, Role.IN_PROGRESS, false);
        }

        static Piece own(WrittenText text, boolean late) {
            return new Piece(text, Role.OWN, late);
        }

        boolean learns(int i) {
            CharKind kind = text.kind(i);
            return switch (role) {
                case FED -> false;
                case HISTORY, IN_PROGRESS -> kind == CharKind.WORK;
                case OWN -> kind == CharKind.WORK || (kind == CharKind.DECISION && !late);
            };
        }
    }

    /**
     * Token ids; per token, whether the model learns to predict it; and what the attention mask needs: when it was
     * written ({@link WrittenText#ALWAYS} for fixed text and history), whether it is the worker's own, and whether it
     * belongs to another worker's step being written.
     */
    public record Tokens(int[] ids, boolean[] learn, long[] time, boolean[] own, boolean[] inProgress) {

        /**
         * Whether token {@code query} attends to token {@code key}: causally, except that the worker's own tokens see
         * another worker's current step only as far as it had been written when they were (the cache at that
         * lockstep step).
         */
        public boolean sees(int query, int key) {
            return key <= query && !(own[query] && inProgress[key] && time[key] > time[query]);
        }
    }

    /**
     * Tokenizes piece by piece. Pieces other than fed text must be one token per character (the demo tokenizer is
     * byte-level without merges and the trace texts are ASCII), which keeps each character's kind on its token.
     */
    public Tokens tokenize(Tokenizer tokenizer) {
        List<int[]> ids = new ArrayList<>();
        int total = 0;
        for (Piece p : pieces) {
            int[] pieceIds = tokenizer.encode(p.text().text());
            if (p.role() != Role.FED && pieceIds.length != p.text().length()) {
                throw new IllegalStateException("trace text is not one token per character: " + p.text().text());
            }
            ids.add(pieceIds);
            total += pieceIds.length;
        }
        int[] allIds = new int[total];
        boolean[] learn = new boolean[total];
        long[] time = new long[total];
        boolean[] own = new boolean[total];
        boolean[] inProgress = new boolean[total];
        int at = 0;
        for (int k = 0; k < pieces.size(); k++) {
            Piece p = pieces.get(k);
            int[] pieceIds = ids.get(k);
            System.arraycopy(pieceIds, 0, allIds, at, pieceIds.length);
            for (int i = 0; i < pieceIds.length; i++) {
                boolean perChar = p.role() != Role.FED;
                learn[at + i] = perChar && p.learns(i);
                time[at + i] = perChar ? p.text().time(i) : WrittenText.ALWAYS;
                own[at + i] = p.role() == Role.OWN;
                inProgress[at + i] = p.role() == Role.IN_PROGRESS;
            }
            at += pieceIds.length;
        }
        return new Tokens(allIds, learn, time, own, inProgress);
    }
}
