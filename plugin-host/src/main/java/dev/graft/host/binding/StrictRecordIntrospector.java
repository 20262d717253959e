package dev.graft.host.binding;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.OptBoolean;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import dev.graft.api.OptionalField;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Optional;

/**
 * Makes record components required unless marked {@link OptionalField} (or typed
 * {@code java.util.Optional}): Jackson then refuses a payload that leaves one out ("required") or has
 * {@code null} there ({@link Nulls#FAIL}). Explicit Jackson annotations
 * ({@code @JsonProperty(required = ...)}, {@code @JsonSetter(nulls = ...)}) still win. Classes that are
 * not records keep Jackson's defaults.
 */
final class StrictRecordIntrospector extends JacksonAnnotationIntrospector {

    private static final long serialVersionUID = 1L;

    @Override
    public Boolean hasRequiredMarker(AnnotatedMember member) {
        Boolean explicit = super.hasRequiredMarker(member);
        if (explicit != null && !(Boolean.FALSE.equals(explicit) && onlyRenamed(member))) {
            return explicit;
        }
        return requiredRecordComponent(member) ? Boolean.TRUE : explicit;
    }

    /**
     * A {@code @JsonProperty} that does not say whether the property is required (only renames it): Jackson reads
     * it as "not required", yet such a component is still required when decoding ({@link #findSetterInfo}), so the
     * marker (what schema generators read) must say so too.
     */
    private static boolean onlyRenamed(AnnotatedMember member) {
        JsonProperty property = member.getAnnotation(JsonProperty.class);
        return property != null && property.isRequired() == OptBoolean.DEFAULT && !property.required();
    }

    @Override
    public JsonSetter.Value findSetterInfo(Annotated annotated) {
        JsonSetter.Value value = super.findSetterInfo(annotated);
        if (annotated instanceof AnnotatedMember member && requiredRecordComponent(member)
                && value.getValueNulls() == Nulls.DEFAULT) {
            return value.withValueNulls(Nulls.FAIL);
        }
        return value;
    }

    /** Whether the member is a record component (or its field, accessor or canonical constructor parameter) not marked optional. */
    static boolean requiredRecordComponent(AnnotatedMember member) {
        Class<?> owner = member.getDeclaringClass();
        if (owner == null || !owner.isRecord() || member.hasAnnotation(OptionalField.class)
                || Optional.class.isAssignableFrom(member.getRawType())) {
            return false;
        }
        if (member instanceof AnnotatedParameter parameter) {
            return parameter.getOwner().getParameterCount() == owner.getRecordComponents().length;
        }
        if (member instanceof AnnotatedField field) {
            return !Modifier.isStatic(field.getModifiers()) && !optionalComponent(owner, field.getName());
        }
        if (member instanceof AnnotatedMethod method) {
            return method.getParameterCount() == 0 && isComponent(owner, method.getName())
                    && !optionalComponent(owner, method.getName());
        }
        return false;
    }

    private static boolean isComponent(Class<?> record, String name) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean optionalComponent(Class<?> record, String name) {
        for (RecordComponent c : record.getRecordComponents()) {
            if (c.getName().equals(name)) {
                return c.isAnnotationPresent(OptionalField.class) || Optional.class.isAssignableFrom(c.getType());
            }
        }
        return false;
    }
}
