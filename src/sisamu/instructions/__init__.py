"""Room instructions (consignes de salle): what the supervisor posts to the room, live on every console."""
