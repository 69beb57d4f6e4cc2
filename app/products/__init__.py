"""Products: a firm's eco-labelled products, their photos and certificates, and the curators'
verification of those certificates."""
