package dev.jgrad.tests.io;

import dev.jgrad.nn.data.CsvTable;
import dev.jgrad.nn.data.Standardizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CsvTable (header, columns by name, numbers, missing values, quoting) and Standardizer (fitted on the training rows only). */
class CsvTableTest {

    @Test
    void columnsAreChosenByNameInTheOrderAsked() {
        CsvTable t = CsvTable.parse("t.csv", "a,b,\"c, quoted\",y\n1,2,3,4\n5,6,7,8\n");
        assertEquals(List.of("a", "b", "c, quoted", "y"), t.columns());
        CsvTable.Table s = t.select("y", List.of("c, quoted", "a"));
        assertEquals(List.of("c, quoted", "a"), s.features());
        assertArrayEquals(new double[] {3, 1}, s.x()[0]);
        assertArrayEquals(new double[] {7, 5}, s.x()[1]);
        assertArrayEquals(new double[] {4, 8}, s.y());
        assertArrayEquals(new long[] {2, 3}, s.lines());
        // no feature list: every column but the target, in file order
        assertEquals(List.of("a", "b", "c, quoted"), t.select("y", null).features());
    }

    @Test
    void badTablesFailNamingTheProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,y\n1,2\n").select("z", null));
        assertTrue(e.getMessage().contains("no column 'z'") && e.getMessage().contains("a, y"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,y\n1,2\n3,abc\n"));
        assertTrue(e.getMessage().contains("line 3, column 'y': 'abc' is not a finite number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,y\n1,2\n3\n"));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("has 1 fields"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,a\n1,2\n"));
        assertTrue(e.getMessage().contains("'a' twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", ""));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,y\n1,\n").select("y", null));
        assertTrue(e.getMessage().contains("line 2: the target 'y' is missing"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CsvTable.parse("t.csv", "a,y\n1e999,2\n"));
        assertTrue(e.getMessage().contains("not a finite number"), e.getMessage());
    }

    @Test
    void missingFeaturesAreRejectedOrImputedWithTheTrainingMean() {
        CsvTable.Table t = CsvTable.parse("t.csv", "a,b,y\n1,10,0\nNA,20,0\n3,,0\n5,40,0\n").select("y", null);
        var e = assertThrows(IllegalArgumentException.class, () -> Standardizer.fit(t, Standardizer.Missing.REJECT));
        assertTrue(e.getMessage().contains("line 3, column 'a'") && e.getMessage().contains("--impute mean"), e.getMessage());
        Standardizer z = Standardizer.fit(t, Standardizer.Missing.MEAN);
        // means over the values present: a (1, 3, 5) -> 3, b (10, 20, 40) -> 70 / 3
        assertArrayEquals(new double[] {3, 70.0 / 3}, z.mean(), 1e-12);
        double[][] s = z.transform(t);
        assertEquals(0, s[1][0], 0);   // imputed: the mean, standardised
        assertEquals(0, s[2][1], 0);
        assertEquals((1 - 3) / Math.sqrt(8.0 / 3), s[0][0], 1e-12);   // population std of 1, 3, 5
    }

    @Test
    void theStandardizerSeesOnlyTheRowsItIsFittedOn() {
        CsvTable.Table all = CsvTable.parse("t.csv", "a,y\n2,0\n4,0\n6,0\n1000,0\n").select("y", null);
        CsvTable.Table train = all.rows(new int[] {0, 1, 2}), test = all.rows(new int[] {3});
        Standardizer z = Standardizer.fit(train, Standardizer.Missing.REJECT);
        assertArrayEquals(new double[] {4}, z.mean(), 1e-12);                 // not 253, the mean with the test row
        assertArrayEquals(new double[] {Math.sqrt(8.0 / 3)}, z.std(), 1e-12);
        assertEquals((1000 - 4) / Math.sqrt(8.0 / 3), z.transform(test)[0][0], 1e-9);
        // a constant feature keeps std 1 and becomes 0
        CsvTable.Table flat = CsvTable.parse("t.csv", "a,y\n7,0\n7,1\n").select("y", null);
        assertEquals(0, Standardizer.fit(flat, Standardizer.Missing.REJECT).transform(flat)[1][0], 0);
    }

    @Test
    void theCommittedDiabetesTableReads() throws Exception {
        Path file = Path.of(CsvTableTest.class.getResource("/csv/diabetes.csv").toURI());
        CsvTable t = CsvTable.read(file);
        assertEquals(442, t.rows());
        assertEquals(List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "y"), t.columns());
        CsvTable.Table s = t.select("y", null);
        // the first row of Efron et al.'s table
        assertArrayEquals(new double[] {59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87}, s.x()[0], 1e-12);
        assertEquals(151, s.y()[0], 0);
    }
}
