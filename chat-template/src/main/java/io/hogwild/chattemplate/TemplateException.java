package io.hogwild.chattemplate;

/**
 * Any failure while compiling or rendering a chat template: syntax errors, unknown filters or
 * tests, Python-style runtime errors (type errors, undefined values) and exceptions raised by the
 * template itself. The message starts with the template line when it is known, so that a broken
 * template shipped with a model can be diagnosed from the log alone.
 */
public class TemplateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String detail;
    private final int line;

    public TemplateException(String detail) {
        this(detail, 0, null);
    }

    public TemplateException(String detail, int line) {
        this(detail, line, null);
    }

    public TemplateException(String detail, int line, Throwable cause) {
        super(line > 0 ? "line " + line + ": " + detail : detail, cause);
        this.detail = detail;
        this.line = line;
    }

    /** The message without the line prefix. */
    public String detail() {
        return detail;
    }

    /** 1-based template line, or 0 when unknown. */
    public int line() {
        return line;
    }

    /**
     * Returns this exception with a line attached. Helpers deep in the evaluator do not know the
     * line; the node being evaluated adds it on the way out. Subclasses override to keep their type.
     */
    public TemplateException withLine(int newLine) {
        if (line > 0 || newLine <= 0) {
            return this;
        }
        TemplateException copy = new TemplateException(detail, newLine, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
