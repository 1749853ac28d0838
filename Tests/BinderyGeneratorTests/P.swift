import PetShop
import Testing
