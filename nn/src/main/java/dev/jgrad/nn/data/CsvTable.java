package dev.jgrad.nn.data;

import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A numeric table read from a CSV file with a header row (parsed by FastCSV: quoted fields,
 * embedded separators and line breaks, a byte-order mark). Every cell is a number or missing:
 * empty, {@code NA}, {@code NaN} or {@code null} (any case) read as NaN. Anything else that is not
 * a number fails, naming the file, the line and the column. {@link #select} picks the features and
 * the target by name for a {@link Table}.
 */
public final class CsvTable {
    private static final Set<String> MISSING = Set.of("", "na", "nan", "null");

    private final String source;
    private final List<String> columns;
    private final double[][] rows;
    private final long[] lines;

    private CsvTable(String source, List<String> columns, double[][] rows, long[] lines) {
        this.source = source;
        this.columns = columns;
        this.rows = rows;
        this.lines = lines;
    }

    /** Features {@code x[row][feature]} (NaN where missing), targets {@code y[row]}, their names and each row's line in the file. */
    public record Table(String source, List<String> features, String target, double[][] x, double[] y, long[] lines) {
        public int rows() { return y.length; }

        /** The rows at {@code indices}, in that order. */
        public Table rows(int[] indices) {
            double[][] xs = new double[indices.length][];
            double[] ys = new double[indices.length];
            long[] ls = new long[indices.length];
            for (int i = 0; i < indices.length; i++) {
                xs[i] = x[indices[i]];
                ys[i] = y[indices[i]];
                ls[i] = lines[indices[i]];
            }
            return new Table(source, features, target, xs, ys, ls);
        }

        /** The first missing feature as "line L, column 'c'", or null when there is none. */
        public String firstMissing() {
            for (int r = 0; r < x.length; r++)
                for (int f = 0; f < features.size(); f++)
                    if (Double.isNaN(x[r][f])) return "line " + lines[r] + ", column '" + features.get(f) + "'";
            return null;
        }
    }

    public static CsvTable read(Path file) {
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(file)) {
            return read(file.toString(), reader);
        } catch (IOException e) {
            throw new UncheckedIOException("CSV " + file + ": " + e.getMessage(), e);
        }
    }

    /** A table from CSV text; {@code source} names it in error messages. */
    public static CsvTable parse(String source, String csv) {
        try (CsvReader<CsvRecord> reader = CsvReader.builder().ofCsvRecord(csv)) {
            return read(source, reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CsvTable read(String source, CsvReader<CsvRecord> reader) {
        List<String> columns = null;
        List<double[]> rows = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        try {
            for (CsvRecord rec : reader) {
                if (columns == null) {
                    columns = header(source, rec);
                    continue;
                }
                if (rec.getFieldCount() == 1 && rec.getField(0).isBlank()) continue;   // a blank line
                if (rec.getFieldCount() != columns.size())
                    throw new IllegalArgumentException("CSV " + source + ", line " + rec.getStartingLineNumber() + ": "
                            + rec.getFieldCount() + " fields where the header has " + columns.size());
                double[] row = new double[columns.size()];
                for (int c = 0; c < row.length; c++) row[c] = number(source, rec, c, columns.get(c));
                rows.add(row);
                lines.add(rec.getStartingLineNumber());
            }
        } catch (CsvParseException e) {   // FastCSV's message names the line; its cause says what was wrong
            String why = e.getCause() == null || e.getCause().getMessage() == null ? "" : " (" + e.getCause().getMessage() + ")";
            throw new IllegalArgumentException("CSV " + source + ": " + e.getMessage() + why, e);
        }
        if (columns == null) throw new IllegalArgumentException("CSV " + source + " is empty: it needs a header row");
        return new CsvTable(source, columns, rows.toArray(new double[0][]), lines.stream().mapToLong(Long::longValue).toArray());
    }

    private static List<String> header(String source, CsvRecord rec) {
        List<String> names = new ArrayList<>();
        for (String f : rec.getFields()) {
            String name = f.strip();
            if (name.isEmpty()) throw new IllegalArgumentException("CSV " + source + ": header column " + (names.size() + 1) + " has no name");
            if (names.contains(name)) throw new IllegalArgumentException("CSV " + source + ": header names column '" + name + "' twice");
            names.add(name);
        }
        return List.copyOf(names);
    }

    private static double number(String source, CsvRecord rec, int c, String column) {
        String s = rec.getField(c).strip();
        if (MISSING.contains(s.toLowerCase(Locale.ROOT))) return Double.NaN;
        try {
            double v = Double.parseDouble(s);
            if (Double.isInfinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("CSV " + source + ", line " + rec.getStartingLineNumber() + ", column '" + column
                    + "': '" + s + "' is not a finite number");
        }
    }

    public List<String> columns() { return columns; }

    public int rows() { return rows.length; }

    /**
     * The target column and the feature columns by name ({@code features} null or empty: every
     * other column). A row whose target is missing fails, naming its line: a target cannot be
     * imputed. Missing features stay NaN here; {@link Standardizer} rejects or imputes them.
     */
    public Table select(String target, List<String> features) {
        Map<String, Integer> at = new LinkedHashMap<>();
        for (int i = 0; i < columns.size(); i++) at.put(columns.get(i), i);
        int t = index(at, target, "target");
        List<String> names = features == null || features.isEmpty()
                ? columns.stream().filter(c -> !c.equals(target)).toList() : List.copyOf(features);
        if (names.isEmpty()) throw new IllegalArgumentException("CSV " + source + ": no feature columns besides the target '" + target + "'");
        int[] f = new int[names.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = index(at, names.get(i), "feature");
            if (f[i] == t) throw new IllegalArgumentException("CSV " + source + ": column '" + target + "' is both the target and a feature");
        }
        double[][] x = new double[rows.length][f.length];
        double[] y = new double[rows.length];
        for (int r = 0; r < rows.length; r++) {
            y[r] = rows[r][t];
            if (Double.isNaN(y[r]))
                throw new IllegalArgumentException("CSV " + source + ", line " + lines[r] + ": the target '" + target + "' is missing");
            for (int i = 0; i < f.length; i++) x[r][i] = rows[r][f[i]];
        }
        return new Table(source, names, target, x, y, lines.clone());
    }

    private int index(Map<String, Integer> at, String name, String role) {
        Integer i = at.get(name);
        if (i == null)
            throw new IllegalArgumentException("CSV " + source + " has no column '" + name + "' (the " + role + "); its columns are "
                    + String.join(", ", columns));
        return i;
    }

    @Override
    public String toString() {
        return "CsvTable(" + source + ", " + rows.length + " rows, columns " + Arrays.toString(columns.toArray()) + ")";
    }
}
