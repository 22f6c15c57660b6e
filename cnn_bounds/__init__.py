"""The CNN side of cnn-bounds: networks as tensor networks, min-cut bounds, training, the command line."""
