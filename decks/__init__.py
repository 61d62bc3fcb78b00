"""The bundled YAML decks; shipped as quizzer.decks so an installed quizzer can load them."""
