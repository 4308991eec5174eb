package dev.sagaflow.internal;

import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes error text fit to store: the host's redaction first, then without U+0000 (which PostgreSQL's text
 * columns refuse), without stack-trace lines that a message may carry, and at most a set number of characters.
 * Every error, reason and history detail the runtime writes goes through {@link #clean(String)}. Immutable and
 * thread-safe (if the redactor is).
 */
final class ErrorText {
    private static final Logger log = LoggerFactory.getLogger(ErrorText.class);
    private static final String STACK_LINE = "\n\tat ";

    private final int maxLength;
    private final UnaryOperator<String> redactor;

    ErrorText(int maxLength, UnaryOperator<String> redactor) {
        this.maxLength = maxLength;
        this.redactor = redactor;
    }

    /** "Type: message" of an exception (its class name when it has no message), cleaned. */
    String describe(Throwable error) {
        String message = error.getMessage();
        return clean(message == null ? error.getClass().getName() : error.getClass().getSimpleName() + ": " + message);
    }

    /** {@code text} redacted, without U+0000 and stack-trace lines, and cut to the maximum length. */
    String clean(String text) {
        if (text == null) {
            return null;
        }
        String redacted = redact(text);
        int stack = redacted.indexOf(STACK_LINE);
        String kept = stack >= 0 ? redacted.substring(0, stack) : redacted;
        if (kept.indexOf('\0') >= 0) {
            kept = kept.replace('\0', '\uFFFD');
        }
        if (kept.length() > maxLength) {
            String cut = "... (" + (kept.length() - maxLength) + " more characters)";
            int end = Math.max(0, maxLength - cut.length());
            // Do not split a surrogate pair.
            if (end > 0 && Character.isHighSurrogate(kept.charAt(end - 1))) {
                end--;
            }
            kept = kept.substring(0, end) + cut;
        }
        return kept;
    }

    private String redact(String text) {
        if (redactor == null) {
            return text;
        }
        try {
            String redacted = redactor.apply(text);
            return redacted == null ? "" : redacted;
        } catch (RuntimeException e) {
            // A broken redactor must not leak what it was meant to hide.
            log.warn("the error redactor threw; the error text is withheld: {}", e.toString());
            return "(error text withheld: the redactor failed)";
        }
    }
}
