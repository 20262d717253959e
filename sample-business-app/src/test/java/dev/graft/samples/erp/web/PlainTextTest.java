package dev.graft.samples.erp.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One line of text: any script and emoji, no control characters, no unpaired surrogates. */
class PlainTextTest {

    @Test
    void textOfAnyScriptIsPlain() {
        for (String s : new String[] {"", "CAFE-1KG", "Zoë Müller", "Łukasz Żółć", "漢字", "😀 ok", "a\u0301", "\u202e"}) {
            assertThat(PlainText.Validator.isPlain(s)).as(s).isTrue();
        }
    }

    @Test
    void controlCharactersAndLoneSurrogatesAreNot() {
        for (String s : new String[] {"\u0000", "a\nb", "\t", "\u001b[2J", "\u007f", "\u0085", "\ud800", "x\udc00", "\ud83d",
                "\ude00\ud83d"}) {
            assertThat(PlainText.Validator.isPlain(s)).as("%s", s.chars().boxed().toList()).isFalse();
        }
    }
}
