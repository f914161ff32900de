"""Market regulation (市场监管): penalty decision texts and 双公示 penalty tables."""
