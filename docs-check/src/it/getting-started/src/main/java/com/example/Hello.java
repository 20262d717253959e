package com.example;

import dev.graft.host.engine.GraftEngine;
import dev.graft.host.engine.Plugin;
import dev.graft.host.engine.PluginSpec;
import dev.graft.host.source.PluginSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

public class Hello {
    public static void main(String[] args) {
        GraftEngine engine = GraftEngine.create();
        Plugin plugin = engine.load(PluginSpec.of(PluginSource.ofFile(Path.of(args[0]))));   // e.g. examples/hello-as/hello.wasm
        byte[] output = plugin.call("greet", "Zoë".getBytes(StandardCharsets.UTF_8)).output();   // default policy: no capability
        System.out.println(new String(output, StandardCharsets.UTF_8));                       // Hello, Zoë!
    }
}
