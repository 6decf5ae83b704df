package io.hogwild.chattemplate;

/**
 * Thrown when a template calls {@code raise_exception(message)}, the helper transformers exposes
 * so that templates can reject conversations they cannot format (for example an unsupported
 * role). {@link #detail()} is exactly the template's message.
 */
public final class TemplateRaisedException extends TemplateException {

    private static final long serialVersionUID = 1L;

    public TemplateRaisedException(String message, int line) {
        super(message, line);
    }

    @Override
    public TemplateException withLine(int newLine) {
        if (line() > 0 || newLine <= 0) {
            return this;
        }
        TemplateRaisedException copy = new TemplateRaisedException(detail(), newLine);
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
