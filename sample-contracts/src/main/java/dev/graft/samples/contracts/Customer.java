package dev.graft.samples.contracts;

import dev.graft.api.OptionalField;

/**
 * The customer of a quote line.
 *
 * @param id customer number in the ERP
 * @param name display name (any Unicode text, e.g. "Zoë Müller")
 * @param tier loyalty tier as the quote knows it: {@code platinum}, {@code gold}, {@code silver},
 *     {@code standard}, or absent; the customer-tier rule asks the host instead of trusting it
 * @param region tax region: ISO 3166 country code, or country-subdivision such as {@code US-CA}
 */
public record Customer(String id, String name, @OptionalField String tier, String region) {
}
