package dev.jgrad.nn.io;

/**
 * Short forms of strings taken from a file, for error messages: a hostile file can hold a key of
 * 60 MB, and a message must not echo it whole. At most {@value #MAX_CHARS} characters of any
 * string are quoted, followed by {@code ...} and the full length.
 */
final class Snippets {
    /** The most characters of one file-supplied string that a message quotes. */
    static final int MAX_CHARS = 100;

    private Snippets() {}

    /**
     * {@code s} in double quotes, cut to {@value #MAX_CHARS} characters (then {@code ...} and the
     * full length outside the quotes). Control characters are shown as {@code \\uXXXX} so that a
     * message stays on one line.
     */
    static String quote(String s) {
        if (s == null) return "null";
        int shown = Math.min(s.length(), MAX_CHARS);
        if (shown < s.length() && Character.isHighSurrogate(s.charAt(shown - 1))) shown--;
        StringBuilder sb = new StringBuilder(shown + 40).append('"');
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        sb.append('"');
        if (shown < s.length()) sb.append("... (").append(s.length()).append(" characters)");
        return sb.toString();
    }

    /** {@code text} (not quoted) cut to {@value #MAX_CHARS} characters, as {@link #quote} cuts. */
    static String cut(String text) {
        if (text.length() <= MAX_CHARS) return text;
        int shown = MAX_CHARS;
        if (Character.isHighSurrogate(text.charAt(shown - 1))) shown--;
        return text.substring(0, shown) + "... (" + text.length() + " characters)";
    }

    /**
     * A value from a file where a short plain word is expected (a dtype, a version): a string is
     * shown without quotes (cut, control characters escaped), anything else as {@link #value}.
     */
    static String bare(Object v) {
        if (!(v instanceof String s)) return value(v);
        String q = quote(s);
        int close = q.lastIndexOf('"');
        return q.substring(1, close) + q.substring(close + 1);
    }

    /**
     * A JSON value parsed from a file, for a message: strings quoted and cut, anything else in
     * its JSON-like {@code toString} form, cut. Nested values are at most {@link Json#MAX_DEPTH}
     * deep, and {@code toString} of a long list is linear, so this stays cheap enough for an error path.
     */
    static String value(Object v) {
        if (v instanceof String s) return quote(s);
        return cut(String.valueOf(v));
    }
}
