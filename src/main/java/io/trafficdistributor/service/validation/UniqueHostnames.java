package io.trafficdistributor.service.validation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/** No hostname twice in one distributor (compared after normalisation). */
@Documented
@Constraint(validatedBy = UniqueHostnamesValidator.class)
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT })
@Retention(RetentionPolicy.RUNTIME)
public @interface UniqueHostnames {
    String message() default "duplicate hostname";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
