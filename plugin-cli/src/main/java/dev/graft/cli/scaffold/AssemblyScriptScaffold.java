package dev.graft.cli.scaffold;

final class AssemblyScriptScaffold extends Scaffold {
    AssemblyScriptScaffold(Inputs in) { super(in); }
    @Override public Language language() { return Language.C; }
    @Override protected void writeSources() { }
}
