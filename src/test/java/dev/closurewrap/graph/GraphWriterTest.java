package dev.closurewrap.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GraphWriterTest {
    @Test
    void quote_quotesBackslashesAndNewlines_escaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\"", GraphWriter.quote("a\"b\\c\nd"));
    }

    @Test
    void quote_plainPath_unchanged() {
        assertEquals("\"/nix/store/x-curl/bin/curl\"", GraphWriter.quote("/nix/store/x-curl/bin/curl"));
    }
}
