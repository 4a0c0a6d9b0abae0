package dev.jgrad.bench.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The check's result files: {@code # key: value} lines, then a header row and tab-separated rows.
 * KernelCheck, MemoryCheck, LeNetCheck, torch_check.py and run-gpu.sh write them; CheckReport reads them.
 */
record Tsv(Map<String, String> meta, List<Map<String, String>> rows) {

    /** The file's contents, or null when it does not exist. */
    static Tsv read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return null;
        Map<String, String> meta = new LinkedHashMap<>();
        List<Map<String, String>> rows = new ArrayList<>();
        String[] header = null;
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            if (line.startsWith("#")) {
                int colon = line.indexOf(':');
                if (colon > 0) meta.put(line.substring(1, colon).strip(), line.substring(colon + 1).strip());
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (header == null) {
                header = cells;
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) row.put(header[i], i < cells.length ? cells[i] : "");
            rows.add(row);
        }
        return new Tsv(meta, rows);
    }

    static double number(Map<String, String> row, String key) {
        String v = row.get(key);
        if (v == null || v.isBlank()) return Double.NaN;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
