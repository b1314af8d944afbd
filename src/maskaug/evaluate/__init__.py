"""``maskaug evaluate``: low-resource protocols, classifiers, baselines, intrinsic quality, report."""
