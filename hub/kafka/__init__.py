"""Plain Kafka adapters (no Faust): the embedded broker process, topic administration and the
producer/consumer client behind `hub publish`."""
