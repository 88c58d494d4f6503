package dev.closurewrap.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.closurewrap.io.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShebangTest {
    private static Optional<Shebang> parse(String text) {
        return Shebang.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parse_interpreterOnly() {
        assertEquals(Optional.of(new Shebang(ByteString.utf8("/bin/sh"), Optional.empty(), 10)), parse("#!/bin/sh\necho"));
    }

    @Test
    void parse_blankAfterBangAndArgument_likeMakeWrapper() {
        assertEquals(Optional.of(new Shebang(ByteString.utf8("/nix/store/x-bash/bin/bash"), Optional.of(ByteString.utf8("-e")), 33)),
                parse("#! /nix/store/x-bash/bin/bash -e\n"));
    }

    @Test
    void parse_severalWords_areOneArgumentAsTheKernelPassesThem() {
        assertEquals(Optional.of(ByteString.utf8("-w -T")), parse("#!/usr/bin/perl  -w -T \t\nx").get().argument());
    }

    @Test
    void parse_carriageReturn_staysInTheArgumentAsInTheKernel() {
        assertEquals(ByteString.utf8("/bin/sh\r"), parse("#!/bin/sh\r\n").get().interpreter());
    }

    @Test
    void parse_noNewline_lineIsWholeFile() {
        assertEquals(9, parse("#!/bin/sh").get().lineLength());
    }

    @Test
    void parse_notAShebang() {
        assertEquals(Optional.empty(), parse("# !/bin/sh\n"));
        assertEquals(Optional.empty(), parse("#!   \n/bin/sh"));
        assertEquals(Optional.empty(), parse("\u007fELF"));
        assertEquals(Optional.empty(), parse(""));
    }
}
