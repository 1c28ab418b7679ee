"""Room instructions (consignes de salle): short notices a supervisor posts to everyone on duty in the room."""
