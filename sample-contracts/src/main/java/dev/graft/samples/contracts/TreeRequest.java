package dev.graft.samples.contracts;

/**
 * What tree to draw.
 *
 * @param seed any text; the same seed gives the same tree, byte for byte
 * @param depth levels of branches, 1 to 20 (2^depth − 1 lines); anything else is refused by the plugin
 * @param trunkLength length of the trunk in SVG units, greater than 0 and at most 10000 (100 is a good size)
 */
public record TreeRequest(String seed, int depth, double trunkLength) {
}
