package dev.graft.cli.scaffold;

final class CScaffold extends Scaffold {
    CScaffold(Inputs in) { super(in); }
    @Override public Language language() { return Language.C; }
    @Override protected void writeSources() { }
}
