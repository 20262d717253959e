package dev.graft.samples.erp.web;

import java.io.IOException;

/**
 * A request body over {@code erp.api.max-body-size}, found while it was streamed (a chunked body, or one
 * longer than its {@code Content-Length} said). An {@link IOException}, so that whoever reads the body
 * (Jackson, a controller) fails as on a broken stream; {@link ApiExceptionHandler} and
 * {@link RequestBodyLimitFilter} answer it with 413.
 */
public class RequestBodyTooLargeException extends IOException {

    private final long limitBytes;

    public RequestBodyTooLargeException(long limitBytes) {
        super("The request body is larger than the limit of " + limitBytes + " bytes (erp.api.max-body-size)");
        this.limitBytes = limitBytes;
    }

    /** The limit that was passed. */
    public long limitBytes() {
        return limitBytes;
    }

    /** The exception in {@code t}'s causes, or null. */
    static RequestBodyTooLargeException in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RequestBodyTooLargeException tooLarge) {
                return tooLarge;
            }
        }
        return null;
    }
}
