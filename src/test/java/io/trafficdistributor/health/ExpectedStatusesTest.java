package io.trafficdistributor.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpectedStatusesTest {

    @Test
    void codesAndRanges() {
        ExpectedStatuses expected = ExpectedStatuses.parse("200-299,302");
        assertTrue(expected.matches(200));
        assertTrue(expected.matches(299));
        assertTrue(expected.matches(302));
        assertFalse(expected.matches(199));
        assertFalse(expected.matches(300));
        assertFalse(expected.matches(500));
    }

    @Test
    void spacesAreIgnoredAndTheListReadsAsWritten() {
        ExpectedStatuses expected = ExpectedStatuses.parse(" 200 - 204 , 418 ");
        assertTrue(expected.matches(204));
        assertTrue(expected.matches(418));
        assertEquals("200-204,418", expected.toString());
        assertEquals(ExpectedStatuses.parse("200-204,418"), expected);
        assertEquals(ExpectedStatuses.parse("200-204,418").hashCode(), expected.hashCode());
        assertNotEquals(ExpectedStatuses.parse("200-399"), expected);
    }
}
