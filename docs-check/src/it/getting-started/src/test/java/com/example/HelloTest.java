package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Runs the README's Hello on the repository's examples/hello-as/hello.wasm and checks what it prints. */
class HelloTest {

    @Test
    void greets() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Hello.main(new String[] {System.getProperty("hello.wasm")});
        } finally {
            System.setOut(out);
        }
        assertEquals("Hello, Zoë!", printed.toString(StandardCharsets.UTF_8).strip());
    }
}
