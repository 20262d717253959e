package dev.graft.samples.erp.customers;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A customer of the ERP.
 *
 * @param tier loyalty tier: {@code platinum}, {@code gold}, {@code silver} or {@code standard}
 * @param region tax region, e.g. {@code DE} or {@code US-CA}
 */
@Table("customers")
public record CustomerAccount(@Id Long id, String name, String tier, String region) {
}
