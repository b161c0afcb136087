package org.fspo.core.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a config record component that holds a file or folder path. A relative path written in a config file is
 * resolved by {@link ConfigLoader} against that file's folder (so {@code templates: templates/reviews} in
 * conf/reviews.yaml means conf/templates/reviews from any working directory); a path given with {@code --set}, or
 * a record default, stays relative to the working directory, as any command-line path. Absolute paths and URIs
 * with a scheme ({@code hdfs://}, {@code s3a://}) are left as they are.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface ConfigPath {}
