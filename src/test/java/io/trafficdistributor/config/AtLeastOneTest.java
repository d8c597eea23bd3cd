package io.trafficdistributor.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AtLeastOneTest {

    private final AtLeastOne converter = new AtLeastOne();

    @Test
    void aWholeNumberOfAtLeastOneIsRead() {
        assertEquals(1, converter.convert("1"));
        assertEquals(100, converter.convert(" 100 "));
        assertEquals(Integer.MAX_VALUE, converter.convert(String.valueOf(Integer.MAX_VALUE)));
    }

    @Test
    void zeroAndNegativeNumbersAreRefusedWithTheValue() {
        assertEquals("must be at least 1, not 0",
                assertThrows(IllegalArgumentException.class, () -> converter.convert("0")).getMessage());
        assertEquals("must be at least 1, not -5",
                assertThrows(IllegalArgumentException.class, () -> converter.convert("-5")).getMessage());
    }

    @Test
    void anythingButAWholeNumberIsRefusedWithTheValue() {
        for (String value : new String[] { "ten", "1.5", "", "99999999999" }) {
            assertEquals("must be a whole number of at least 1, not '" + value + "'",
                    assertThrows(IllegalArgumentException.class, () -> converter.convert(value)).getMessage());
        }
    }
}
