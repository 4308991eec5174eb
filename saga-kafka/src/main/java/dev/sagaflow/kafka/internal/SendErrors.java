package dev.sagaflow.kafka.internal;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/** What a producer's error means for the message: refused for good, worth another try, or a broken producer. */
public enum SendErrors {
    /** The broker will never take this record as it is: too large, an invalid topic, a topic it may not write. */
    POISON,
    /** Worth sending again: a timeout, no leader, not enough replicas, a network error. */
    TRANSIENT,
    /** The producer cannot go on (fenced, out of sequence, not authenticated): a new one sends it again. */
    FATAL;

    /** Classifies an exception a send completed with. */
    public static SendErrors of(Throwable error) {
        if (error instanceof RecordTooLargeException || error instanceof RecordBatchTooLargeException
                || error instanceof InvalidTopicException || error instanceof TopicAuthorizationException
                || error instanceof InvalidRecordException || error instanceof SerializationException) {
            return POISON;
        }
        if (error instanceof RetriableException || error instanceof java.util.concurrent.TimeoutException
                || error instanceof InterruptedException) {
            return TRANSIENT;
        }
        return FATAL;
    }
}
