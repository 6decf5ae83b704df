package io.hogwild.chattemplate;

import java.util.List;

/**
 * The {@code loop} variable inside a for loop: position information about the current item
 * ({@code index}, {@code index0}, {@code first}, {@code last}, {@code length}, ...), the
 * neighbouring items and {@code loop.cycle(...)}.
 */
final class LoopContext {

    private final List<Object> items;
    private final int index0;

    LoopContext(List<Object> items, int index0) {
        this.items = items;
        this.index0 = index0;
    }

    /** The attribute named {@code name}, or Undefined. */
    Object attribute(String name) {
        int length = items.size();
        return switch (name) {
            case "index0" -> (long) index0;
            case "index" -> (long) index0 + 1;
            case "revindex0" -> (long) (length - index0 - 1);
            case "revindex" -> (long) (length - index0);
            case "first" -> index0 == 0;
            case "last" -> index0 == length - 1;
            case "length" -> (long) length;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index0 > 0 ? items.get(index0 - 1) : Undefined.withHint("there is no previous item");
            case "nextitem" -> index0 < length - 1 ? items.get(index0 + 1) : Undefined.withHint("there is no next item");
            case "cycle" -> new BoundMethod("cycle", this, this::cycle);
            default -> Undefined.attribute(this, name);
        };
    }

    private Object cycle(CallArguments args) {
        if (!args.keywords().isEmpty() || args.positional().isEmpty()) {
            throw new TemplateException("TypeError: loop.cycle() needs at least one positional argument");
        }
        return args.positional().get(index0 % args.positional().size());
    }

    @Override
    public String toString() {
        return "<LoopContext " + (index0 + 1) + "/" + items.size() + ">";
    }
}
