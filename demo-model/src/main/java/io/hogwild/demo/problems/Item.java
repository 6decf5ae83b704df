package io.hogwild.demo.problems;

/** One independent item of a problem: {@code letter: left op right}, a one-digit computation. */
public record Item(char letter, int left, char op, int right) {

    public int result() {
        return switch (op) {
            case '+' -> left + right;
            case '-' -> left - right;
            case '*' -> left * right;
            default -> throw new IllegalStateException("unknown operator " + op);
        };
    }

    /** As it appears in the problem text, e.g. {@code C=9-5}. */
    public String definition() {
        return letter + "=" + expression();
    }

    /** e.g. {@code 9-5}. */
    public String expression() {
        return "" + left + op + right;
    }

    /**
     * The work a worker writes for it, e.g. {@code C: 9-5=4. C=4.}: the claim (letter) comes first, so others see it;
     * the closing {@code C=4} restates the result next to its letter, as the answer lists it. It also gives an item
     * step about two thirds of the answer step's length: the answer is written by one worker after all items, so
     * it is the serial part of a run, and with the bare {@code C: 9-5=4.} it alone kept two workers above 0.6x of
     * one worker's lockstep passes.
     */
    public String work() {
        return letter + ": " + expression() + "=" + result() + ". " + letter + "=" + result() + ".";
    }
}
